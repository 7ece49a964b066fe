using System.Globalization;
using System.Text;

namespace Dnet.Perf;

/// <summary>Annotate table as fixed-column text, like <c>perf report</c>: summary first, units in the header.</summary>
internal static class AnnotateTextRenderer
{
    private const string Columns =
        "#   Self%     Self ms    Total ms   Samples     Mean ms      p50 ms      p90 ms      p99 ms      Max ms  W  Frame";

    private const string Rule =
        "# .......  ..........  ..........  ........  ..........  ..........  ..........  ..........  ..........  .  .....";

    public static string Render(AnnotateTable table)
    {
        var text = new StringBuilder();
        text.Append("# dnet annotate | ").AppendLine(Units.Summary(table.Header));
        text.Append("# ").AppendLine(Units.Method(table.Header));
        text.AppendLine("#");
        text.AppendLine(Columns);
        text.AppendLine(Rule);
        foreach (var row in table.Rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{Units.Percent(row.SelfPercent),9}  {Units.Ms(row.SelfMs),10}  {Units.Ms(row.TotalMs),10}  {row.Samples,8}  {Units.Ms(row.MeanMs),10}  {Units.Ms(row.P50Ms),10}  {Units.Ms(row.P90Ms),10}  {Units.Ms(row.P99Ms),10}  {Units.Ms(row.MaxMs),10}  {(row.IsWait ? "W" : " ")}  {row.Name}");
        }

        if (table.Rows.Count == 0)
        {
            text.AppendLine("# (no spans in scope)");
        }

        return text.ToString();
    }
}
