using System.Text;

namespace Dnet.Repl.Input;

/// <summary>
/// A small line editor over <see cref="Console.ReadKey(bool)"/>: cursor movement, Home/End (Ctrl+A/E), Backspace/Delete,
/// Ctrl+U (clear), Up/Down history, Tab completion, Ctrl+C (drop the line), Ctrl+D on an empty line (end of input).
/// Written here because RadLine, the one line editor on the package mirror, is built against an older Spectre.Console
/// whose assembly identity differs from the 0.57 we use. The line is redrawn with ANSI codes, so a line longer than the
/// terminal is wide wraps imperfectly; REPL commands are short.
/// </summary>
internal sealed class ConsoleLineEditor(LineHistory history, CommandCompleter completer) : ILineReader
{
    private readonly StringBuilder buffer = new();
    private int cursor;
    private string prompt = "";

    public string? ReadLine(string prompt)
    {
        this.prompt = prompt;
        buffer.Clear();
        cursor = 0;
        var historyIndex = history.Count;
        var draft = "";
        Console.Write(prompt);

        // Ctrl+C at the prompt edits the line; outside ReadLine it cancels the running command instead.
        var treatControlC = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var control = key.Modifiers.HasFlag(ConsoleModifiers.Control);
                switch (key.Key)
                {
                    case ConsoleKey.Enter:
                        Console.WriteLine();
                        var line = buffer.ToString();
                        history.Add(line);
                        return line;
                    case ConsoleKey.C when control:
                        Console.WriteLine("^C");
                        return "";
                    case ConsoleKey.D when control && buffer.Length == 0:
                        Console.WriteLine();
                        return null;
                    case ConsoleKey.LeftArrow when cursor > 0:
                        cursor--;
                        break;
                    case ConsoleKey.RightArrow when cursor < buffer.Length:
                        cursor++;
                        break;
                    case ConsoleKey.Home:
                    case ConsoleKey.A when control:
                        cursor = 0;
                        break;
                    case ConsoleKey.End:
                    case ConsoleKey.E when control:
                        cursor = buffer.Length;
                        break;
                    case ConsoleKey.Backspace when cursor > 0:
                        buffer.Remove(--cursor, 1);
                        break;
                    case ConsoleKey.Delete when cursor < buffer.Length:
                        buffer.Remove(cursor, 1);
                        break;
                    case ConsoleKey.U when control:
                        Replace("");
                        break;
                    case ConsoleKey.UpArrow when historyIndex > 0:
                        if (historyIndex == history.Count)
                        {
                            draft = buffer.ToString();
                        }

                        Replace(history[--historyIndex]);
                        break;
                    case ConsoleKey.DownArrow when historyIndex < history.Count:
                        historyIndex++;
                        Replace(historyIndex == history.Count ? draft : history[historyIndex]);
                        break;
                    case ConsoleKey.Tab:
                        Complete();
                        break;
                    default:
                        if (!control && !char.IsControl(key.KeyChar))
                        {
                            buffer.Insert(cursor++, key.KeyChar);
                        }

                        break;
                }

                Redraw();
            }
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlC;
        }
    }

    private void Replace(string text)
    {
        buffer.Clear().Append(text);
        cursor = buffer.Length;
    }

    private void Complete()
    {
        var (candidates, wordStart) = completer.Complete(buffer.ToString(0, cursor));
        if (candidates.Count == 0)
        {
            return;
        }

        var completion = candidates.Count == 1 ? candidates[0] + " " : CommandCompleter.CommonPrefix(candidates);
        if (completion.Length > cursor - wordStart)
        {
            buffer.Remove(wordStart, cursor - wordStart).Insert(wordStart, completion);
            cursor = wordStart + completion.Length;
            return;
        }

        // Nothing more to add: show the choices under the line, then the prompt again.
        Console.WriteLine();
        Console.WriteLine(string.Join("  ", candidates));
    }

    private void Redraw()
    {
        // Carriage return, prompt and text, erase the rest of the line, then put the cursor back in place.
        Console.Write($"\r{prompt}{buffer}\u001b[K\r");
        var column = prompt.Length + cursor;
        if (column > 0)
        {
            Console.Write($"\u001b[{column}C");
        }
    }
}
