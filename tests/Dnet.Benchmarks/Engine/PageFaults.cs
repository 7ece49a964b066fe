namespace Dnet.Benchmarks.Engine;

/// <summary>
/// Major page faults of this process (field 12 of /proc/self/stat): memory-mapped weights that the kernel dropped
/// from the page cache are read from disk again, which shows up here and explains slow decode.
/// </summary>
static class PageFaults
{
    public static long Major()
    {
        if (!File.Exists("/proc/self/stat"))
        {
            return 0;
        }
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the parenthesised command name; majflt is field 12, the 10th after ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[9]);
    }
}
