using System.Globalization;
using System.Text.RegularExpressions;
using Dnet.Perf;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Analytics.Apis;

/// <summary>
/// Reads typed query parameters and keeps the first problem, so an endpoint can read every parameter and then answer
/// one 400 naming the parameter at fault. Unknown parameters are problems too: a misspelt filter would otherwise
/// silently widen the scope.
/// </summary>
internal sealed partial class QueryReader(IQueryCollection query)
{
    public const string InvalidValue = "invalid_value";

    public OpenAiError? Problem { get; private set; }

    public IResult ProblemResult => Problem!.ToResult(StatusCodes.Status400BadRequest);

    public bool HasProblem => Problem is not null;

    public void RejectUnknown(params string[] known)
    {
        foreach (var name in query.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                Fail(name, "unknown_parameter", $"Unknown query parameter '{name}'. Known: {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>A text value, or null when absent or empty.</summary>
    public string? Text(string name)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            Fail(name, InvalidValue, $"Query parameter '{name}' is given {values.Count} times; give it once.");
            return null;
        }

        return string.IsNullOrWhiteSpace(values.ToString()) ? null : values.ToString().Trim();
    }

    public int? Count(string name, int max)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        Fail(name, InvalidValue, $"'{name}' must be a whole number from 1 to {max}; got '{text}'.");
        return null;
    }

    public bool Flag(string name)
    {
        switch (Text(name)?.ToLowerInvariant())
        {
            case null or "false" or "0" or "no":
                return false;
            case "true" or "1" or "yes":
                return true;
            default:
                Fail(name, InvalidValue, $"'{name}' must be true or false.");
                return false;
        }
    }

    public T Choice<T>(string name, T fallback)
        where T : struct, Enum
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }

        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0]))
        {
            return value;
        }

        var allowed = string.Join("|", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        Fail(name, InvalidValue, $"'{name}' must be one of {allowed}; got '{text}'.");
        return fallback;
    }

    /// <summary>An ISO 8601 time, or a duration back from now such as <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>, <c>500ms</c>.</summary>
    public DateTimeOffset? Time(string name, DateTimeOffset now)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (RelativeTime().Match(text) is { Success: true } match
            && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            var ago = match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            // Spans carry Unix times: a duration reaching before 1970 means everything.
            return ago < now - DateTimeOffset.UnixEpoch ? now - ago : DateTimeOffset.UnixEpoch;
        }

        // An unescaped '+' of an offset (…T10:00:00+02:00 typed into a browser) arrives as a space.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            || DateTimeOffset.TryParse(text.Replace(' ', '+'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time))
        {
            return time;
        }

        Fail(name, InvalidValue, $"'{name}' must be an ISO 8601 time (2026-01-02T03:04:05Z) or a duration back from now (30s, 5m, 2h, 1d); got '{text}'.");
        return null;
    }

    /// <summary>The <c>format</c> parameter; absent means the first of <paramref name="allowed"/>.</summary>
    public ReportFormat Format(params ReportFormat[] allowed)
    {
        const string name = "format";
        var text = Text(name);
        if (text is null)
        {
            return allowed[0];
        }

        if (ReportFormats.TryParse(text, out var format) && allowed.Contains(format))
        {
            return format;
        }

        var names = string.Join("|", allowed.Select(f => f.ToString().ToLowerInvariant()));
        Fail(name, InvalidValue, $"'{name}' must be one of {names}; got '{text}'.");
        return ReportFormat.Text;
    }

    private void Fail(string param, string code, string message) =>
        Problem ??= OpenAiError.InvalidRequest(message, param, code);

    // Bounded so a huge number cannot overflow TimeSpan.
    [GeneratedRegex(@"^(\d{1,7}(?:\.\d{1,6})?)(ms|s|m|h|d)$")]
    private static partial Regex RelativeTime();
}
