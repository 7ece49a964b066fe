namespace Dnet.Repl.Input;

/// <summary>Lines entered so far, walked with Up and Down; repeats of the previous line are kept once.</summary>
internal sealed class LineHistory
{
    private const int Capacity = 500;
    private readonly List<string> lines = [];

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
    }
}
