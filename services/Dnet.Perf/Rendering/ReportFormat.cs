namespace Dnet.Perf;

/// <summary>Output formats of reports.</summary>
public enum ReportFormat
{
    /// <summary>Fixed-column text in the manner of <c>perf report</c>.</summary>
    Text,

    /// <summary>JSON (snake_case, enums as strings, nulls kept, never NaN).</summary>
    Json,

    /// <summary>A GitHub-flavoured Markdown table.</summary>
    Markdown,

    /// <summary>A self-contained HTML page with a table.</summary>
    Html,
}
