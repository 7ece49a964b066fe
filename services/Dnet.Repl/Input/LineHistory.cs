namespace Dnet.Repl.Input;

/// <summary>
/// Lines entered so far, walked with Up and Down; repeats of the previous line are kept once. With a file the history
/// outlives the session (<c>~/.dnet/repl_history</c>); a file that cannot be read or written only costs the history.
/// </summary>
internal sealed class LineHistory
{
    private const int Capacity = 500;
    private readonly List<string> lines = [];
    private readonly string? file;

    public LineHistory(string? file = null)
    {
        this.file = file;
        try
        {
            if (file is not null && File.Exists(file))
            {
                lines.AddRange(File.ReadLines(file).Where(line => line.Length > 0).TakeLast(Capacity));
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Start with an empty history rather than not start.
        }
    }

    public static string DefaultFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dnet", "repl_history");

    public int Count => lines.Count;

    public string this[int index] => lines[index];

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || (lines.Count > 0 && lines[^1] == line))
        {
            return;
        }

        if (lines.Count == Capacity)
        {
            lines.RemoveAt(0);
        }

        lines.Add(line);
        Append(line);
    }

    private void Append(string line)
    {
        if (file is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.AppendAllLines(file, [line]);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The line stays in this session's history; only the next session misses it.
        }
    }
}
