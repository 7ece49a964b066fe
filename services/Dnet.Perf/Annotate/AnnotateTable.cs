namespace Dnet.Perf;

/// <summary>A <c>perf annotate</c>-style table: one row per frame name, in the requested order.</summary>
/// <param name="Header">Scope and method.</param>
/// <param name="Rows">Rows.</param>
public sealed record AnnotateTable(AnnotateHeader Header, IReadOnlyList<AnnotateRow> Rows)
{
    /// <summary>Renders the table.</summary>
    /// <param name="format">Output format.</param>
    public string Render(ReportFormat format = ReportFormat.Text) => format switch
    {
        ReportFormat.Json => ReportJson.Serialize(this),
        ReportFormat.Markdown => AnnotateMarkdownRenderer.Render(this),
        ReportFormat.Html => AnnotateHtmlRenderer.Render(this),
        _ => AnnotateTextRenderer.Render(this),
    };
}
