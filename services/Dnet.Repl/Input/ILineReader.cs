namespace Dnet.Repl.Input;

/// <summary>Where the REPL's lines come from: a terminal with line editing, or a script.</summary>
internal interface ILineReader
{
    /// <summary>Shows <paramref name="prompt"/> and reads one line; null at the end of input.</summary>
    string? ReadLine(string prompt);
}
