using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.EndToEnd.Tests;

/// <summary>
/// The operating-system process of a project resource. Aspire's <c>executable.pid</c> is the <c>dotnet run</c> launcher;
/// the service is its child.
/// </summary>
internal static class ServiceProcess
{
    public static int LauncherPid(DistributedApplication app, string resource)
    {
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        if (!notifications.TryGetCurrentState(resource, out var state)
            || state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } pid)
        {
            throw new InvalidOperationException($"{resource} has no process id yet");
        }

        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    /// <summary>Resident set size of the service's process (the launcher's child), in bytes.</summary>
    public static long ResidentBytes(DistributedApplication app, string resource)
    {
        var rss = File.ReadLines($"/proc/{ServicePid(app, resource)}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>An environment variable the service was started with, or null.</summary>
    public static string? Environment(DistributedApplication app, string resource, string name) =>
        File.ReadAllText($"/proc/{ServicePid(app, resource)}/environ").Split('\0')
            .FirstOrDefault(entry => entry.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];

    private static int ServicePid(DistributedApplication app, string resource)
    {
        var launcher = LauncherPid(app, resource);
        return Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .FirstOrDefault(pid => ParentOf(pid) == launcher, launcher);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may contain spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
