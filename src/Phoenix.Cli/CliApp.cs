using System.CommandLine;
using Phoenix.Cli.Audit;
using Phoenix.Cli.Common;
using Phoenix.Cli.Doctor;
using Phoenix.Cli.Exec;
using Phoenix.Cli.Keys;
using Phoenix.Cli.Up;
using Phoenix.Cli.Vitals;

namespace Phoenix.Cli;

/// <summary>The <c>phoenix</c> command tree and its invocation: failures are one line on stderr and an exit code, never a stack trace.</summary>
internal static class CliApp
{
    public static RootCommand Build(CliConsole console, TimeProvider time)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Phoenix's data directory (default: PHOENIX_DATA_DIR, else ./.phoenix).", Recursive = true };
        var url = new Option<string?>("--url") { Description = "The gateway (default: PHOENIX_URL, else http://127.0.0.1:8000).", Recursive = true };
        CliSettings Settings(ParseResult result) => CliSettings.Resolve(result.GetValue(dataDir), result.GetValue(url), CliSettings.ProcessEnvironment());

        var root = new RootCommand("Phoenix: run commands in throw-away sandboxes behind an authenticated, audited gateway.")
        {
            dataDir,
            url,
        };
        root.Subcommands.Add(UpCommand.Create(console, dataDir, time));
        root.Subcommands.Add(ExecCommand.Create(console, Settings));
        root.Subcommands.Add(KeysCommand.Create(console, dataDir, time));
        root.Subcommands.Add(AuditCommand.Create(console, Settings, time));
        root.Subcommands.Add(VitalsCommand.Create(console, Settings));
        root.Subcommands.Add(DoctorCommand.Create(console, dataDir));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, TimeProvider time)
    {
        var root = Build(console, time);
        var configuration = new InvocationConfiguration
        {
            Output = console.OutWriter,
            Error = console.ErrWriter,
            EnableDefaultExceptionHandler = false,

            // Ctrl-C / SIGTERM cancel the command's token; 'phoenix up' then needs time to stop both services.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(70),
        };
        try
        {
            return await root.Parse(args).InvokeAsync(configuration);
        }
        catch (CliException e)
        {
            console.Error(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error(e.Message);
            return ExitCodes.Failed;
        }
    }
}
