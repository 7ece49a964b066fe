using Dnet.ServiceDefaults.Cluster;
using Dnet.ServiceDefaults.Cluster.Membership;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What makes a process part of one cluster: where it listens and what it advertises (<see cref="NetworkSettings"/>),
/// the secret cluster-internal calls carry (<see cref="ClusterSecret"/>), and membership in the cluster's Redis.
/// </summary>
public static class ClusterExtensions
{
    /// <summary>
    /// Registers <see cref="NetworkSettings"/> (moving loopback listen addresses to the bind address), the
    /// <see cref="ClusterSecret"/> with its <see cref="ClusterSecretInterceptor"/>, and, when
    /// <c>ConnectionStrings:redis</c> exists, <see cref="ClusterMembers"/>. Refuses to start a node that listens beyond
    /// loopback without a secret: its gRPC endpoints would answer anyone on the network. Called by the service defaults.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static TBuilder AddCluster<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(service => service.ServiceType == typeof(NetworkSettings)))
        {
            return builder;
        }

        var network = NetworkSettings.From(builder.Configuration);
        var secret = ClusterSecret.From(builder.Configuration);
        if (network.BeyondLoopback && !secret.IsSet)
        {
            throw new InvalidOperationException(
                $"{NetworkSettings.BindKey} is '{builder.Configuration[NetworkSettings.BindKey]}', beyond loopback, but {ClusterSecret.Key} is not set: " +
                "the node's cluster-internal endpoints would answer anyone on the network. Set the cluster secret " +
                "(the AppHost's cluster-secret parameter; Dnet__Cluster__Secret for a shard started on its own).");
        }

        if (ListenAddresses.Overrides(builder.Configuration, network) is { Count: > 0 } overrides)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        services.AddSingleton(network);
        services.AddSingleton(secret);
        services.TryAddSingleton(TimeProvider.System);
        services.AddTransient<ClusterSecretInterceptor>();
        services.Configure<MembershipOptions>(builder.Configuration.GetSection(MembershipOptions.Section));
        if (builder.Configuration.GetConnectionString(TracingExtensions.RedisConnectionName) is { Length: > 0 } redis)
        {
            var client = $"dnet-cluster-{builder.Configuration["Dnet:Node"] ?? builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName}";
            services.AddSingleton(_ => new MembershipRedis(redis, client));
            services.AddSingleton(provider => new ClusterMembers(provider.GetRequiredService<MembershipRedis>()));
        }

        return builder;
    }

    /// <summary>
    /// Makes this process a cluster member described by <paramref name="describe"/> (called once it listens): it
    /// registers and heartbeats in Redis and leaves on a clean shutdown. Adds the <c>membership</c> health check.
    /// Needs <c>ConnectionStrings:redis</c>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="describe">Builds this member's record from the running service.</param>
    public static TBuilder AddClusterMember<TBuilder>(this TBuilder builder, Func<IServiceProvider, ClusterMember> describe)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCluster();
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString(TracingExtensions.RedisConnectionName)))
        {
            throw new InvalidOperationException(
                "A cluster member needs the cluster's Redis (ConnectionStrings:redis): start it from the AppHost, or give a " +
                "shard started on its own --join <gateway URL> or --redis <host:port[,password=...]>.");
        }

        builder.Services.AddSingleton<MemberRegistrationState>();
        builder.Services.AddHostedService(provider => new MemberRegistration(
            provider.GetRequiredService<MembershipRedis>(),
            provider.GetRequiredService<MemberRegistrationState>(),
            () => describe(provider),
            provider.GetRequiredService<IOptions<MembershipOptions>>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<ILogger<MemberRegistration>>()));
        builder.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "membership", provider => provider.GetRequiredService<MemberRegistrationState>(), failureStatus: null, tags: ["ready"]));
        return builder;
    }
}
