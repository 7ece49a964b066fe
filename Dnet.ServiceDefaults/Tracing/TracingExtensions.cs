using Dnet.ServiceDefaults.Tracing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the Dnet frame pipeline; called by <see cref="Extensions.AddServiceDefaults{TBuilder}"/>.</summary>
public static class TracingExtensions
{
    /// <summary>The connection string name of the Redis that carries the span stream and the trace control.</summary>
    public const string RedisConnectionName = "redis";

    /// <summary>
    /// The health check that reports Degraded, with what is held and lost, while this node cannot write its spans to Redis.
    /// </summary>
    public const string TraceSinkCheckName = "trace-sink";

    /// <summary>
    /// Adds the trace control (a sampler that drops Dnet frames the control excludes; state shared through Redis) and,
    /// when <c>ConnectionStrings:redis</c> exists, the exporter of Dnet frames to the <c>dnet:spans</c> stream and its
    /// <see cref="TraceSinkCheckName"/> health check.
    /// Idempotent. Settings: <c>Dnet:Node</c>, <c>Dnet:Tracing:*</c> (<see cref="TracingOptions"/>).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static TBuilder AddDnetTracing<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(service => service.ServiceType == typeof(FrameGate)))
        {
            return builder;
        }

        services.Configure<TracingOptions>(builder.Configuration.GetSection(TracingOptions.Section));
        services.AddSingleton(NodeIdentity.From(builder.Configuration, builder.Environment));
        services.AddSingleton<FrameGate>();
        services.AddSingleton<SpanBatchBuffer>();
        services.AddSingleton<SpanExportCounters>();
        services.TryAddSingleton(TimeProvider.System);

        var tracing = services.AddOpenTelemetry().WithTracing(tracing => tracing
            .SetSampler(provider => new FrameGateSampler(provider.GetRequiredService<FrameGate>())));

        var connectionString = builder.Configuration.GetConnectionString(RedisConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton(provider => new TraceControlStore(provider.GetRequiredService<FrameGate>()));
            return builder;
        }

        services.AddSingleton(provider => new TraceRedisConnection(
            connectionString,
            provider.GetRequiredService<IOptions<TracingOptions>>(),
            provider.GetRequiredService<NodeIdentity>()));
        services.AddSingleton(provider => new TraceControlStore(
            provider.GetRequiredService<FrameGate>(), provider.GetRequiredService<TraceRedisConnection>()));
        services.AddSingleton<SpanStreamWriter>();
        services.AddHostedService<TraceControlSubscriber>();
        services.AddHealthChecks().AddCheck<TraceSinkHealthCheck>(TraceSinkCheckName, tags: ["ready"]);
        tracing.WithTracing(tracing => tracing.AddProcessor(provider => new SpanStreamProcessor(
            provider.GetRequiredService<SpanStreamWriter>(),
            provider.GetRequiredService<SpanBatchBuffer>(),
            provider.GetRequiredService<SpanExportCounters>(),
            provider.GetRequiredService<NodeIdentity>(),
            provider.GetRequiredService<IOptions<TracingOptions>>(),
            provider.GetRequiredService<ILogger<SpanStreamProcessor>>())));
        return builder;
    }
}
