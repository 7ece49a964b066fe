namespace Microsoft.Extensions.Hosting;

/// <summary>Names of Dnet's own telemetry sources, registered with OpenTelemetry by the service defaults.</summary>
public static class DnetTelemetry
{
    /// <summary>The one <see cref="System.Diagnostics.ActivitySource"/> every Dnet frame comes from.</summary>
    public const string ActivitySourceName = "Dnet";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> for Dnet's own metrics.</summary>
    public const string MeterName = "Dnet";
}
