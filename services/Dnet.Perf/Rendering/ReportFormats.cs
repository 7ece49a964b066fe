namespace Dnet.Perf;

/// <summary>Parsing and HTTP content types of <see cref="ReportFormat"/>, for hosts serving reports.</summary>
public static class ReportFormats
{
    /// <summary>Parses <c>text</c>, <c>txt</c>, <c>json</c>, <c>markdown</c>, <c>md</c> or <c>html</c> (any case).</summary>
    /// <param name="value">The name; null or empty means <see cref="ReportFormat.Text"/>.</param>
    /// <param name="format">The format.</param>
    /// <returns>Whether the name was recognised.</returns>
    public static bool TryParse(string? value, out ReportFormat format)
    {
        format = value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "text" or "txt" => ReportFormat.Text,
            "json" => ReportFormat.Json,
            "markdown" or "md" => ReportFormat.Markdown,
            "html" => ReportFormat.Html,
            _ => (ReportFormat)(-1),
        };
        return Enum.IsDefined(format);
    }

    /// <summary>The HTTP content type of a format.</summary>
    /// <param name="format">The format.</param>
    public static string ContentType(ReportFormat format) => format switch
    {
        ReportFormat.Json => "application/json; charset=utf-8",
        ReportFormat.Markdown => "text/markdown; charset=utf-8",
        ReportFormat.Html => "text/html; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    };
}
