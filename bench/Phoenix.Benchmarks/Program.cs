using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Phoenix.Benchmarks.PipelineBenchmarks).Assembly).Run(args);
