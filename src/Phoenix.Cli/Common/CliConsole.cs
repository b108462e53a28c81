using Spectre.Console;

namespace Phoenix.Cli.Common;

/// <summary>
/// The CLI's two consoles: <see cref="Out"/> for results (what a script pipes) and <see cref="Err"/> for progress,
/// status and errors. Both are Spectre.Console consoles; plain text when not attached to a terminal.
/// </summary>
internal sealed class CliConsole(TextWriter output, TextWriter error)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error);

    public TextWriter OutWriter { get; } = output;

    public TextWriter ErrWriter { get; } = error;

    public IAnsiConsole Out { get; } = Create(output, Console.IsOutputRedirected || output != Console.Out);

    public IAnsiConsole Err { get; } = Create(error, Console.IsErrorRedirected || error != Console.Error);

    /// <summary>Not a terminal (a pipe, a file, a test): no colours, no animation, and no wrapping at 80 columns, which would split keys and paths.</summary>
    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }

    /// <summary>Writes an error line to stderr (the text is escaped, never read as markup).</summary>
    public void Error(string message) => Err.MarkupLine($"[red]phoenix:[/] {Markup.Escape(message)}");

    /// <summary>Writes a note line to stderr.</summary>
    public void Note(string message) => Err.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
}
