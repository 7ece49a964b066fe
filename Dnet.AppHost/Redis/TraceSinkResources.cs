using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dnet.AppHost.Redis;

/// <summary>
/// Adds Redis, the sink of the span stream: Aspire's Redis container when a healthy container runtime exists,
/// otherwise a local <c>redis-server</c> process. Neither available: the AppHost stops with one actionable line. It is
/// also where cluster membership lives, so when the cluster is reachable from other machines
/// (<see cref="ClusterNetwork"/>) the local redis-server listens on the bind address too and requires a password
/// (the parameter <c>redis-password</c>, generated when unset), which members get from the gateway's join endpoint.
/// </summary>
internal static class TraceSinkResources
{
    public const string PasswordParameter = "redis-password";

    public static IResourceBuilder<IResourceWithConnectionString> AddTraceSink(
        this IDistributedApplicationBuilder builder, string name, ClusterNetwork network)
    {
        // A published manifest describes a deployment, not this machine: it always names the Redis container.
        if (builder.ExecutionContext.IsPublishMode || ContainerRuntimeIsHealthy())
        {
            return builder.AddRedis(name);
        }

        if (ExecutableOnPath("redis-server") is null)
        {
            // One actionable line, not a stack trace: this is a missing prerequisite, not a bug.
            Console.Error.WriteLine(
                "Dnet needs Redis: install redis-server (Debian/Ubuntu: apt-get install -y redis-server) " +
                "or start a container runtime (docker info must succeed).");
            Environment.Exit(1);
        }

        return builder.AddLocalRedis(name, network);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, ClusterNetwork network)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("dnet-redis-").FullName;
        var password = network.BeyondLoopback
            ? builder.AddParameter(PasswordParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true).Resource
            : null;
        var redis = new LocalRedisResource(name, dataDirectory, password);

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
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.Endpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                if (password is not null)
                {
                    // Other machines' members connect on the bind address, with the password.
                    context.Args.Add(network.RedisBindAddress);
                    context.Args.Add("--requirepass");
                    context.Args.Add(password);
                }
                // A trace sink, not a database: nothing to persist between runs.
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
            })
            .WithHealthCheck(healthCheckKey);
        return resource;
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
