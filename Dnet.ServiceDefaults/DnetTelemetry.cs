using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>Dnet's own telemetry sources, registered with OpenTelemetry by the service defaults.</summary>
public static class DnetTelemetry
{
    /// <summary>The name of the one <see cref="ActivitySource"/> every Dnet frame comes from.</summary>
    public const string ActivitySourceName = "Dnet";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> for Dnet's own metrics.</summary>
    public const string MeterName = "Dnet";

    /// <summary>The source of every Dnet frame.</summary>
    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>The meter of every Dnet metric.</summary>
    public static readonly Meter Meter = new(MeterName);
}
