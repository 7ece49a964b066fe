using Dnet.Perf;

namespace Dnet.Analytics.Apis;

/// <summary>A rendered report with the content type of its format.</summary>
internal static class Report
{
    public static IResult Of(string body, ReportFormat format) => Results.Text(body, ReportFormats.ContentType(format));
}
