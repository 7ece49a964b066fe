using System.Globalization;

namespace Dnet.EndToEnd.Tests;

/// <summary>A scrape of a Prometheus text endpoint: the value of every series, by its full name with labels.</summary>
internal sealed class PrometheusScrape(IReadOnlyDictionary<string, double> series)
{
    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync("/metrics", cancellationToken);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // "name{labels} value [timestamp]": labels may hold spaces only inside quotes, which our values never do.
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            series[parts[0]] = double.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        return new PrometheusScrape(series);
    }

    /// <summary>Sum over every series of <paramref name="metric"/> whose labels contain all of <paramref name="labels"/>.</summary>
    public double Sum(string metric, params string[] labels) => series
        .Where(s => (s.Key == metric || s.Key.StartsWith(metric + "{", StringComparison.Ordinal)) && labels.All(s.Key.Contains))
        .Sum(s => s.Value);

    public bool Has(string metric) => series.Keys.Any(key => key == metric || key.StartsWith(metric + "{", StringComparison.Ordinal));
}
