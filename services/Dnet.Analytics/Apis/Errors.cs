using Dnet.ServiceDefaults.Http;

namespace Dnet.Analytics.Apis;

/// <summary>Shorthands for the shared OpenAI error object with the statuses analytics answers.</summary>
internal static class Errors
{
    public static IResult BadRequest(string message, string? param, string code) =>
        OpenAiError.InvalidRequest(message, param, code).ToResult(StatusCodes.Status400BadRequest);

    public static IResult NotFound(string message, string? param, string code) =>
        OpenAiError.InvalidRequest(message, param, code).ToResult(StatusCodes.Status404NotFound);
}
