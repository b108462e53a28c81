using Phoenix.Cli;
using Phoenix.Cli.Common;

return await CliApp.RunAsync(args, CliConsole.System, TimeProvider.System);
