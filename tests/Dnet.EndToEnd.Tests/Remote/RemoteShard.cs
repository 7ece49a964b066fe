using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Dnet.EndToEnd.Tests.Remote;

/// <summary>
/// A shard started on its own in a network namespace, the way an operator starts one on another machine:
/// <c>Dnet.Shard --join http://gateway:port --name NODE --bind any --advertise IP</c>, with the cluster secret in its
/// environment. It can be killed (SIGKILL), frozen (SIGSTOP), continued, stopped cleanly (SIGTERM) and started again.
/// </summary>
public sealed class RemoteShard : IDisposable
{
    public const int GrpcPort = 5300;

    private readonly NetworkNamespaces namespaces;
    private readonly int index;
    private readonly string join;
    private readonly string secret;
    private readonly ConcurrentQueue<string> log = new();
    private Process? process;

    private readonly int torchThreads;

    /// <param name="namespaces">Where the shard runs.</param>
    /// <param name="index">Its namespace (and so its IP address).</param>
    /// <param name="node">Its node name (<c>--name</c>).</param>
    /// <param name="join">The gateway's URL (<c>--join</c>).</param>
    /// <param name="secret">The cluster secret.</param>
    /// <param name="torchThreads">libtorch threads: 1 by default, because the shards of a test share this machine's cores.</param>
    public RemoteShard(NetworkNamespaces namespaces, int index, string node, string join, string secret, int torchThreads = 1)
    {
        (this.namespaces, this.index, Node, this.join, this.secret, this.torchThreads) = (namespaces, index, node, join, secret, torchThreads);
    }

    public string Node { get; }

    public string Address => $"http://{namespaces.AddressOf(index)}:{GrpcPort}";

    public bool Running => process is { HasExited: false };

    /// <summary>The last lines the process wrote, for a failing test's message.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, log.TakeLast(40));

    public void Start()
    {
        var start = namespaces.StartInfo(index, DotnetHost, [ShardAssembly,
            "--join", join, "--name", Node, "--bind", "any", "--advertise", namespaces.AddressOf(index),
            "--grpc-port", GrpcPort.ToString(CultureInfo.InvariantCulture), "--http-port", (GrpcPort + 1).ToString(CultureInfo.InvariantCulture)]);
        start.Environment["Dnet__Cluster__Secret"] = secret;
        // Few torch threads each: the shards share this machine's cores, as they would not on real hosts.
        start.Environment["Dnet__Shard__TorchThreads"] = torchThreads.ToString(CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        process = Process.Start(start) ?? throw new InvalidOperationException($"{Node} did not start");
        process.OutputDataReceived += (_, line) => Remember(line.Data);
        process.ErrorDataReceived += (_, line) => Remember(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>A crash or a pulled plug: no goodbye.</summary>
    public void Kill()
    {
        process?.Kill(entireProcessTree: true);
        process?.WaitForExit();
    }

    /// <summary>Ctrl+C / SIGTERM: the shard leaves the cluster before it exits.</summary>
    public void Stop()
    {
        if (Running)
        {
            Signal("TERM");
            if (!process!.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                Kill();
            }
        }
    }

    /// <summary>A shard that hangs with its sockets open.</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    public void Dispose()
    {
        if (process is not null)
        {
            Thaw();
            Kill();
            process.Dispose();
            process = null;
        }
    }

    private void Signal(string signal)
    {
        if (process is { HasExited: false } running)
        {
            using var kill = Process.Start("kill", [$"-{signal}", running.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        log.Enqueue(line);
        while (log.Count > 200)
        {
            log.TryDequeue(out _);
        }
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>The shard the AppHost's build produced, in this test run's configuration (Debug or Release).</summary>
    private static string ShardAssembly
    {
        get
        {
            var project = new Projects.Dnet_Shard().ProjectPath;
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var assembly = Path.Combine(Path.GetDirectoryName(project)!, "bin", configuration, "net10.0", "Dnet.Shard.dll");
            return File.Exists(assembly) ? assembly : throw new InvalidOperationException($"{assembly} is missing: build the solution first.");
        }
    }
}
