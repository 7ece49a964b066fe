namespace Dnet.Repl.Input;

/// <summary>
/// Reads lines from redirected input (a pipe, a file, a test) and echoes each after its prompt, so the output reads as
/// a transcript of what was typed and what came back.
/// </summary>
internal sealed class ScriptLineReader(TextReader input, TextWriter echo) : ILineReader
{
    public string? ReadLine(string prompt)
    {
        var line = input.ReadLine();
        if (line is not null)
        {
            echo.WriteLine(prompt + line);
        }

        return line;
    }
}
