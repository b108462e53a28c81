using System.Globalization;
using BenchmarkDotNet.Running;
using Phoenix.Benchmarks;

// `executor [iterations]` runs the sandbox benchmark (needs root and bubblewrap); anything else goes to BenchmarkDotNet.
if (args is ["executor", ..] && OperatingSystem.IsLinux())
{
    return await ExecutorBenchmark.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200);
}

BenchmarkSwitcher.FromAssembly(typeof(PipelineBenchmarks).Assembly).Run(args);
return 0;
