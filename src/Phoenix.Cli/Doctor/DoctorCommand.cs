using System.CommandLine;
using Phoenix.Cli.Common;
using Spectre.Console;

namespace Phoenix.Cli.Doctor;

/// <summary><c>phoenix doctor</c>: checks the machine; each failing check comes with the command that fixes it.</summary>
internal static class DoctorCommand
{
    public static Command Create(CliConsole console, Option<string?> dataDirOption)
    {
        var port = new Option<int>("--port") { Description = "Gateway port to check.", DefaultValueFactory = _ => 8000 };
        var executorPort = new Option<int>("--executor-port") { Description = "Executor gRPC port to check.", DefaultValueFactory = _ => 50061 };
        var metricsPort = new Option<int>("--executor-metrics-port") { Description = "Executor metrics port to check.", DefaultValueFactory = _ => 9461 };
        var command = new Command("doctor", "Check that this machine can run Phoenix; print the fix for each problem.") { port, executorPort, metricsPort };
        command.SetAction(result =>
        {
            var dataDir = CliSettings.ResolveDataDir(result.GetValue(dataDirOption), CliSettings.ProcessEnvironment());
            var checks = new DoctorChecks(dataDir, [("port", result.GetValue(port)), ("executor-port", result.GetValue(executorPort)), ("executor-metrics-port", result.GetValue(metricsPort))]).Run().ToList();
            foreach (var check in checks)
            {
                var mark = check.Passed ? "[green]✓[/]" : "[red]✗[/]";
                console.Out.MarkupLine($"{mark} [bold]{Markup.Escape(check.Name)}[/]: {Markup.Escape(check.Detail)}");
                if (check.Fix is not null)
                {
                    console.Out.MarkupLine($"    fix: [yellow]{Markup.Escape(check.Fix)}[/]");
                }
            }

            var failed = checks.Count(c => !c.Passed);
            if (failed == 0)
            {
                console.Out.MarkupLine("[green]All checks passed.[/]");
                return ExitCodes.Ok;
            }

            console.Out.MarkupLine($"[red]{failed} of {checks.Count} checks failed.[/]");
            return ExitCodes.Failed;
        });
        return command;
    }
}
