using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Text.RegularExpressions;

namespace Dnet.EndToEnd.Tests.Remote;

/// <summary>
/// Separate hosts on one machine: Linux network namespaces, each with its own network stack, loopback and IP address,
/// joined by veth pairs to a bridge in the root namespace that carries the cluster's address (the AppHost's gateway and
/// Redis bind there). Needs root and <c>ip</c> (iproute2). Creating them fails with a message that says what is missing,
/// never silently; disposing removes every namespace, veth pair and the bridge, also after a failed test. Names carry
/// the creating process's id (<c>dn{pid}-0</c>, <c>dn{pid}br</c>), so what a killed test run left behind is recognized
/// and removed by the next run.
/// </summary>
public sealed partial class NetworkNamespaces : IDisposable
{
    private readonly List<string> created = [];
    private readonly List<string> names = [];
    private readonly string tag;

    private NetworkNamespaces(string tag, string subnet, string bridge)
    {
        this.tag = tag;
        Subnet = subnet;
        Bridge = bridge;
    }

    /// <summary>The bridge's address: where the cluster listens for the namespaces.</summary>
    public string HostAddress => $"{Subnet}.1";

    /// <summary>The namespaces' names, in order.</summary>
    public IReadOnlyList<string> Names => names;

    private string Subnet { get; }

    private string Bridge { get; }

    /// <summary>The address of namespace <paramref name="index"/>.</summary>
    public string AddressOf(int index) => $"{Subnet}.{10 + index}";

    /// <summary>Creates a bridge and <paramref name="count"/> namespaces behind it.</summary>
    public static NetworkNamespaces Create(int count)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("Network namespaces need Linux; this test runs shards as separate hosts in them.");
        }

        if (Environment.UserName != "root" && Run("id", "-u").Trim() != "0")
        {
            throw new InvalidOperationException("Network namespaces need root (ip netns add); run the end-to-end tests as root, as CI does.");
        }

        RemoveLeftovers();
        // Unique per test process, so that concurrent runs on one machine never share names or addresses.
        var id = Environment.ProcessId;
        var subnet = FreeSubnet();
        var namespaces = new NetworkNamespaces($"dn{id}", subnet, $"dn{id}br");
        try
        {
            namespaces.Build(count);
            return namespaces;
        }
        catch
        {
            namespaces.Dispose();
            throw;
        }
    }

    /// <summary>A command line that runs <paramref name="command"/> inside namespace <paramref name="index"/>.</summary>
    public ProcessStartInfo StartInfo(int index, string command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", Names[index], command }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    public void Dispose()
    {
        // Reverse order: processes in a namespace are the caller's to stop first; links go with their namespace.
        foreach (var item in Enumerable.Reverse(created))
        {
            var (kind, name) = (item[..2], item[3..]);
            TryRun("ip", kind == "ns" ? ["netns", "del", name] : ["link", "del", name]);
        }

        created.Clear();
        names.Clear();
    }

    /// <summary>Namespaces and links of test runs whose process is gone (killed before it could clean up).</summary>
    private static void RemoveLeftovers()
    {
        bool Orphaned(string name) => Ours().Match(name) is { Success: true } match && !Directory.Exists($"/proc/{match.Groups[1].Value}");
        foreach (var ns in Run("ip", "netns", "list").Split('\n').Select(line => line.Split(' ')[0]).Where(Orphaned))
        {
            // Shards a killed run left running in the namespace hold it open.
            foreach (var pid in Run("ip", "netns", "pids", ns).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                TryRun("kill", ["-KILL", pid]);
            }

            TryRun("ip", ["netns", "del", ns]);
        }

        foreach (var link in Run("ip", "-o", "link", "show").Split('\n').Select(line => line.Split(':', StringSplitOptions.TrimEntries).ElementAtOrDefault(1)?.Split('@')[0] ?? "").Where(Orphaned))
        {
            TryRun("ip", ["link", "del", link]);
        }
    }

    [GeneratedRegex(@"^dn(\d+)(?:-\d+|br|h\d+)$")]
    private static partial Regex Ours();

    private void Build(int count)
    {
        Step("ip", "link", "add", Bridge, "type", "bridge");
        created.Add($"ln:{Bridge}");
        Step("ip", "addr", "add", $"{HostAddress}/24", "dev", Bridge);
        Step("ip", "link", "set", Bridge, "up");
        for (var i = 0; i < count; i++)
        {
            var ns = $"{tag}-{i}";
            var (outside, inside) = ($"{tag}h{i}", $"{tag}n{i}");
            Step("ip", "netns", "add", ns);
            created.Add($"ns:{ns}");
            names.Add(ns);
            Step("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
            created.Add($"ln:{outside}");
            Step("ip", "link", "set", inside, "netns", ns);
            Step("ip", "link", "set", outside, "master", Bridge);
            Step("ip", "link", "set", outside, "up");
            Step("ip", "netns", "exec", ns, "ip", "addr", "add", $"{AddressOf(i)}/24", "dev", inside);
            Step("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
            Step("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            Step("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", HostAddress);
        }
    }

    /// <summary>A 10.213.x.0/24 that no interface of this machine uses yet.</summary>
    private static string FreeSubnet()
    {
        var used = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address.ToString())
            .ToHashSet();
        var start = Environment.ProcessId % 200;
        for (var offset = 0; offset < 200; offset++)
        {
            var subnet = $"10.213.{20 + ((start + offset) % 200)}";
            if (!used.Any(address => address.StartsWith(subnet + ".", StringComparison.Ordinal)))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("No free 10.213.x.0/24 subnet for the test bridge.");
    }

    private static void Step(string command, params string[] arguments)
    {
        var (exit, output) = TryRun(command, arguments);
        if (exit != 0)
        {
            throw new InvalidOperationException(
                $"Setting up network namespaces failed: '{command} {string.Join(' ', arguments)}' exited {exit}: {output.Trim()}. " +
                "These tests need root and iproute2 (ip netns, veth, bridge).");
        }
    }

    private static string Run(string command, params string[] arguments) => TryRun(command, arguments).Output;

    private static (int Exit, string Output) TryRun(string command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return (-1, $"{command} could not be run: {exception.Message}");
        }
    }
}
