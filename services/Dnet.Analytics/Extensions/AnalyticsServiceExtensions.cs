using Dnet.Analytics.Infrastructure;
using Dnet.Analytics.Ingest;
using Dnet.Analytics.Model;
using Dnet.Analytics.Telemetry;
using Dnet.Perf;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dnet.Analytics.Extensions;

/// <summary>Wires the span stream consumer, the span store and what the endpoints need.</summary>
public static class AnalyticsServiceExtensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // Health and status must see Redis back within about a second of an outage, not after exponential back-off.
        // Aspire's own PING check is off: redis-roundtrip below is stricter and answers at once while disconnected.
        builder.AddRedisClient(
            ConsumerConnection.ConnectionName,
            settings => settings.DisableHealthChecks = true,
            options => options.ReconnectRetryPolicy = new LinearRetry(500));
        var services = builder.Services;
        services.AddOptions<AnalyticsOptions>()
            .BindConfiguration(AnalyticsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.RetryMinMilliseconds <= o.RetryMaxMilliseconds, "RetryMinMilliseconds must not exceed RetryMaxMilliseconds")
            .Validate(
                o => o.Groups.All(g => g.Key is not (FrameGroups.Wait or FrameGroups.Other) && g.Value.Length > 0 && g.Value.All(p => !string.IsNullOrWhiteSpace(p.TrimEnd('.')))),
                "Groups: every group needs a name other than 'wait' or 'other' and at least one non-empty prefix")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
            return new SpanStore(
                new SpanStoreOptions
                {
                    MaxSpans = settings.MaxSpans,
                    MaxAge = settings.MaxAgeMinutes > 0 ? TimeSpan.FromMinutes(settings.MaxAgeMinutes) : null,
                },
                provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(provider => new PerfAnalyzer(
            provider.GetRequiredService<SpanStore>(),
            dashboardUrl: provider.GetRequiredService<IOptions<AnalyticsOptions>>().Value.DashboardUrl));
        services.AddSingleton(provider => new GroupCatalog(
            provider.GetRequiredService<PerfAnalyzer>(),
            provider.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Groups));

        services.AddSingleton<ConsumerConnection>();
        services.AddSingleton<SpanStreamReader>();
        services.AddSingleton<ConsumerState>();
        services.AddSingleton<ExporterLedger>();
        services.AddSingleton<AnalyticsMetrics>();
        services.AddSingleton<SpanBatchIngestor>();
        services.AddSingleton<StreamStatusReader>();
        services.AddHostedService<SpanStreamConsumer>();
        services.AddHostedService<SpanRetention>();

        services.AddHealthChecks()
            .AddCheck<RedisRoundTripHealthCheck>("redis-roundtrip", tags: ["ready"])
            .AddCheck<SpanConsumerHealthCheck>("span-consumer", tags: ["ready"]);
        return builder;
    }
}
