using Spectre.Console;

namespace Dnet.Repl;

/// <summary>The few kinds of message lines the REPL prints besides tables, styled the same way everywhere.</summary>
internal static class ConsoleMessages
{
    public static void Error(this IAnsiConsole console, string text) =>
        console.MarkupLine($"[red]error:[/] {Markup.Escape(text)}");

    public static void Note(this IAnsiConsole console, string text) =>
        console.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public static void Line(this IAnsiConsole console, string text) => console.WriteLine(text);

    /// <summary>Text a service rendered (annotate and stats tables): written as is, never parsed as markup.</summary>
    public static void Verbatim(this IAnsiConsole console, string text)
    {
        console.Profile.Out.Writer.Write(text.EndsWith('\n') ? text : text + Environment.NewLine);
        console.Profile.Out.Writer.Flush();
    }
}
