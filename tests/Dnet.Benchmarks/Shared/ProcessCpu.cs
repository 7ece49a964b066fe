using System.Globalization;

namespace Dnet.Benchmarks.Shared;

/// <summary>
/// CPU seconds (user + system) of this benchmark process and every process it started (DCP, redis, each service, remote
/// shards), by name: a service's <c>OTEL_SERVICE_NAME</c> (the Aspire resource: <c>shard-0</c>, <c>gateway</c>, ...),
/// else its executable. DCP detaches from its parent, so children are found by an environment variable this process
/// sets before starting anything (<see cref="TrackChildren"/>) and every process it starts inherits. Read from
/// <c>/proc</c>, so Linux only (empty elsewhere). The difference of two snapshots says where a level's cores went:
/// the kernels, or the services and the client that share them.
/// </summary>
static class ProcessCpu
{
    public const string Benchmark = "benchmark (client, app host)";

    const double TicksPerSecond = 100; // USER_HZ: 100 on every Linux ABI .NET runs on

    const string MarkerVariable = "DNET_BENCHMARK_PARENT";

    static readonly string Marker = $"{MarkerVariable}={Environment.ProcessId}";

    /// <summary>Marks every process started from now on as this benchmark's; call before starting a cluster.</summary>
    public static void TrackChildren() =>
        Environment.SetEnvironmentVariable(MarkerVariable, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

    public static Dictionary<string, double> Snapshot()
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self"))
        {
            return seconds;
        }
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || CpuSeconds(pid) is not { } cpu)
            {
                continue;
            }
            if (pid == Environment.ProcessId)
            {
                Add(seconds, Benchmark, cpu);
            }
            else if (Environ(pid) is { } environment && environment.Contains(Marker))
            {
                Add(seconds, ServiceName(environment) ?? Command(pid), cpu);
            }
        }
        return seconds;
    }

    /// <summary>
    /// Seconds of this machine's CPUs the hypervisor gave to other guests so far (the <c>steal</c> column of
    /// <c>/proc/stat</c>), null where there is none to read. On a shared VM it tells a slow level from a slow cluster.
    /// </summary>
    public static double? StolenSeconds()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        string[]? fields = Read("/proc/stat")?.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 8 } ? long.Parse(fields[8], CultureInfo.InvariantCulture) / TicksPerSecond : null;
    }

    /// <summary>
    /// Cores the hypervisor gave other guests since <paramref name="before"/> (a <see cref="StolenSeconds"/> reading),
    /// averaged over <paramref name="wallSeconds"/>; null where there is none to read.
    /// </summary>
    public static double? StolenCoresSince(double? before, double wallSeconds) =>
        StolenSeconds() - before is { } stolen ? Math.Round(stolen / wallSeconds, 2) : null;

    /// <summary>after - before per name, rounded; names with no CPU in between are left out.</summary>
    public static Dictionary<string, double> Between(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.Select(p => (p.Key, Value: Math.Round(p.Value - before.GetValueOrDefault(p.Key), 2)))
            .Where(p => p.Value > 0)
            .OrderByDescending(p => p.Value)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    static void Add(Dictionary<string, double> seconds, string name, double value) =>
        seconds[name] = seconds.GetValueOrDefault(name) + value;

    static double? CpuSeconds(int pid)
    {
        // Fields after the parenthesized command: state ppid ... utime(14) stime(15), 1-based in proc(5).
        string? text = Read($"/proc/{pid}/stat");
        if (text is null)
        {
            return null;
        }
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    static string[]? Environ(int pid) => Read($"/proc/{pid}/environ")?.Split('\0');

    static string? ServiceName(string[] environment) =>
        environment.FirstOrDefault(v => v.StartsWith("OTEL_SERVICE_NAME=", StringComparison.Ordinal))?["OTEL_SERVICE_NAME=".Length..];

    static string Command(int pid) => Read($"/proc/{pid}/comm")?.Trim() ?? "exited";

    static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null; // exited while we looked, or not ours to read
        }
    }
}
