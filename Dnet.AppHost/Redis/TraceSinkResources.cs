using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Dnet.AppHost.Redis;

/// <summary>
/// Adds Redis, the sink of the span stream: Aspire's Redis container when a healthy container runtime exists,
/// otherwise a local <c>redis-server</c> process. Neither available: the AppHost stops with one actionable line.
/// Either way Redis persists (append-only file, fsync every second) where the next run finds it: the local server in
/// <see cref="TraceSinkSettings.DataDirectory"/>, the container in the named volume <see cref="TraceSinkSettings.VolumeName"/>.
/// </summary>
internal static class TraceSinkResources
{
    private static readonly string[] AppendOnly = ["--appendonly", "yes", "--appendfsync", "everysec"];

    public static IResourceBuilder<IResourceWithConnectionString> AddTraceSink(
        this IDistributedApplicationBuilder builder, string name, ClusterNetwork network)
    {
        var settings = TraceSinkSettings.From(builder, network);

        // A published manifest describes a deployment, not this machine: it always names the Redis container.
        if (builder.ExecutionContext.IsPublishMode || ContainerRuntimeIsHealthy())
        {
            return builder.AddRedisContainer(name, settings);
        }

        if (ExecutableOnPath("redis-server") is null)
        {
            // One actionable line, not a stack trace: this is a missing prerequisite, not a bug.
            Console.Error.WriteLine(
                "Dnet needs Redis: install redis-server (Debian/Ubuntu: apt-get install -y redis-server) " +
                "or start a container runtime (docker info must succeed).");
            Environment.Exit(1);
        }

        return builder.AddLocalRedis(name, settings);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddRedisContainer(
        this IDistributedApplicationBuilder builder, string name, TraceSinkSettings settings)
    {
        // Aspire's container always requires a password (a generated redis-password unless one is given).
        var password = settings.LoopbackOnly ? null : builder.AddParameter(TraceSinkSettings.PasswordParameter, secret: true);
        var redis = builder.AddRedis(name, password: password)
            .WithDataVolume(settings.VolumeName)
            .WithArgs(context =>
            {
                // Aspire's own callback ran first. For a manifest it joined redis-server's arguments into one
                // `sh -c` command line; at run time it added them one by one. Extend whichever it did.
                var command = context.Args.Select((arg, index) => (arg, index))
                    .FirstOrDefault(a => a.arg is string text && text.StartsWith("redis-server ", StringComparison.Ordinal));
                if (command.arg is string line)
                {
                    context.Args[command.index] = $"{line} {string.Join(' ', AppendOnly)}";
                }
                else
                {
                    foreach (var arg in AppendOnly)
                    {
                        context.Args.Add(arg);
                    }
                }
            });
        builder.LogDataLocation(redis.Resource, $"the container volume {settings.VolumeName}");
        return redis;
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, TraceSinkSettings settings)
    {
        // Held until the AppHost is disposed: a second AppHost of this cluster must not start a server on this directory.
        var dataLock = DataDirectoryLock.Acquire(settings);
        builder.Services.AddHostedService(_ => dataLock);
        var password = settings.LoopbackOnly ? null : builder.AddParameter(TraceSinkSettings.PasswordParameter, secret: true);
        var redis = new LocalRedisResource(name, settings.DataDirectory, password?.Resource);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, cancellationToken) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey,
            _ => new RedisPingHealthCheck(() => connectionString),
            failureStatus: null,
            tags: null));

        var resource = builder.AddResource(redis)
            // Not proxied: the port Aspire allocates is the one redis-server itself listens on.
            .WithEndpoint(LocalRedisResource.EndpointName, endpoint =>
            {
                endpoint.UriScheme = "tcp";
                endpoint.IsProxied = false;
            })
            .WithArgs(async context =>
            {
                if (redis.Password is { } secret)
                {
                    // A configuration file must come first. The password goes there, readable by this user only,
                    // rather than on a command line that every user of the machine can read.
                    context.Args.Add(await WritePasswordFileAsync(settings, secret, context.CancellationToken));
                }

                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add(settings.BindAddress);
                if (!settings.LoopbackOnly && settings.BindAddress is not ("0.0.0.0" or "::"))
                {
                    // The services on this machine still connect through loopback.
                    context.Args.Add("127.0.0.1");
                }

                context.Args.Add("--dir");
                context.Args.Add(settings.DataDirectory);
                // The stream, the consumer group and its pending entries survive a restart; no snapshots besides.
                foreach (var arg in AppendOnly)
                {
                    context.Args.Add(arg);
                }

                context.Args.Add("--save");
                context.Args.Add("");
            })
            .WithHealthCheck(healthCheckKey);
        builder.LogDataLocation(redis, settings.DataDirectory);
        return resource;
    }

    private static async Task<string> WritePasswordFileAsync(TraceSinkSettings settings, ParameterResource password, CancellationToken cancellationToken)
    {
        var path = Path.Combine(settings.DataDirectory, "requirepass.conf");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new StreamWriter(path, options);
        await file.WriteLineAsync($"requirepass \"{await password.GetValueAsync(cancellationToken)}\"");
        return path;
    }

    /// <summary>Says where the stream is kept: once in the AppHost's log at start, and in the resource's own console log.</summary>
    private static void LogDataLocation(this IDistributedApplicationBuilder builder, IResource redis, string location)
    {
        var message = $"Redis keeps the span stream in {location} (append-only file, fsync every second); it survives restarts of Redis and of the AppHost.";
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Dnet.AppHost.TraceSink").LogInformation("{Message}", message);
            return Task.CompletedTask;
        });
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, (@event, _) =>
        {
            @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(redis).LogInformation("{Message}", message);
            return Task.CompletedTask;
        });
    }

    private static bool ContainerRuntimeIsHealthy()
    {
        if (ExecutableOnPath("docker") is not { } docker)
        {
            return false;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(docker, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(3)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
