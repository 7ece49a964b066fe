using System.Text.Json;

namespace Dnet.Perf.Tests;

[TestClass]
public sealed class RendererTests
{
    private static AnnotateTable Table()
    {
        var trace = new RequestTrace("r1");
        trace.Root(0, 100);
        trace.Add("network.rx.wait", "shard-0", 0, 10, trace.RootId);
        trace.Add("compute.forward", "shard-0", 10, 40, trace.RootId);
        var store = new SpanStore();
        store.Add(trace.Spans);
        return new PerfAnalyzer(store).Annotate(new AnnotateQuery { RequestId = "r1" });
    }

    [TestMethod]
    public void TextHasASummaryLineThenColumnsWithUnits()
    {
        var lines = Table().Render().Split('\n');

        StringAssert.StartsWith(lines[0], "# dnet annotate | scope: request=r1 | 3 spans | 2023-11-14T22:13:20.000Z");
        StringAssert.Contains(lines[0], "wall 100.000 ms (union of the request root intervals in scope)");
        StringAssert.Contains(lines[0], "percentiles: linear interpolation between closest ranks");
        StringAssert.Contains(lines[1], "self = duration - union of same-process children");
        var header = lines.Single(line => line.Contains("Self%", StringComparison.Ordinal));
        foreach (var column in new[] { "Self ms", "Total ms", "Samples", "Mean ms", "p50 ms", "p90 ms", "p99 ms", "Max ms", "W", "Frame" })
        {
            StringAssert.Contains(header, column);
        }

        var forward = lines.Single(line => line.EndsWith("compute.forward", StringComparison.Ordinal));
        Assert.AreEqual(header.IndexOf("Frame", StringComparison.Ordinal), forward.IndexOf("compute.forward", StringComparison.Ordinal));
        StringAssert.Contains(forward, "40.00%");
        var wait = lines.Single(line => line.EndsWith("network.rx.wait", StringComparison.Ordinal));
        StringAssert.Contains(wait, " W  network.rx.wait");
    }

    [TestMethod]
    public void JsonRoundTripsTheRows()
    {
        var json = Table().Render(ReportFormat.Json);

        using var document = JsonDocument.Parse(json);
        var rows = document.RootElement.GetProperty("rows");
        Assert.AreEqual(3, rows.GetArrayLength());
        Assert.AreEqual("self", document.RootElement.GetProperty("header").GetProperty("sort").GetString());
        Assert.IsTrue(rows.EnumerateArray().Any(row => row.GetProperty("is_wait").GetBoolean()));
    }

    [TestMethod]
    public void MarkdownAndHtmlCarryTheSameRows()
    {
        var table = Table();

        var markdown = table.Render(ReportFormat.Markdown);
        var html = table.Render(ReportFormat.Html);

        StringAssert.Contains(markdown, "| Self % | Self ms |");
        StringAssert.Contains(markdown, "| compute.forward |");
        StringAssert.StartsWith(html, "<!DOCTYPE html>");
        StringAssert.Contains(html, "<td>compute.forward</td>");
        StringAssert.Contains(html, "<tr class=\"wait\">");
        Assert.AreEqual("chat tiny", table.Rows.Select(row => row.Name).Single(name => name.StartsWith("chat", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void ValuesFromRequestsAreEscapedInHtmlAndMarkdown()
    {
        const string Hostile = "<script>alert(1)</script>|`x`*[y](javascript:z)";
        var trace = new RequestTrace(Hostile);
        trace.Root(0, 100, model: Hostile);
        trace.Add("compute.forward", "<img src=x onerror=alert(2)>", 10, 40, trace.RootId);
        var store = new SpanStore();
        store.Add(trace.Spans);
        var table = new PerfAnalyzer(store).Annotate(new AnnotateQuery { RequestId = Hostile });

        var html = table.Render(ReportFormat.Html);
        var markdown = table.Render(ReportFormat.Markdown);

        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        StringAssert.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
        Assert.DoesNotContain("<script>", markdown);
        Assert.DoesNotContain("](javascript", markdown);
        StringAssert.Contains(markdown, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;\\|\\`x\\`\\*\\[y\\]\\(javascript:z\\)");
        // Every table row still has the table's column count: no value opened a cell of its own.
        var rows = markdown.Split('\n').Where(line => line.StartsWith('|')).ToList();
        Assert.IsTrue(rows.All(row => row.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|') == 12), string.Join('\n', rows));
    }

    [TestMethod]
    [DataRow("md", ReportFormat.Markdown)]
    [DataRow("JSON", ReportFormat.Json)]
    [DataRow(null, ReportFormat.Text)]
    [DataRow("html", ReportFormat.Html)]
    public void FormatsParseForHosts(string? name, ReportFormat expected)
    {
        Assert.IsTrue(ReportFormats.TryParse(name, out var format));
        Assert.AreEqual(expected, format);
        Assert.IsFalse(ReportFormats.TryParse("pdf", out _));
    }
}
