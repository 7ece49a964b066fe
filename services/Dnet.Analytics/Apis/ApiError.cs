namespace Dnet.Analytics.Apis;

/// <summary>The error body every endpoint answers with, in the OpenAI shape the gateway uses too.</summary>
/// <param name="Error">What went wrong.</param>
public sealed record ApiError(ApiErrorDetail Error)
{
    public const string InvalidRequest = "invalid_request_error";

    public static IResult BadRequest(string message, string? param, string code) =>
        Results.Json(new ApiError(new ApiErrorDetail(message, InvalidRequest, param, code)), statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string message, string? param, string code) =>
        Results.Json(new ApiError(new ApiErrorDetail(message, InvalidRequest, param, code)), statusCode: StatusCodes.Status404NotFound);
}

/// <summary>Details of an <see cref="ApiError"/>.</summary>
/// <param name="Message">For a person: what was wrong and what is accepted.</param>
/// <param name="Type">Error class, <c>invalid_request_error</c>.</param>
/// <param name="Param">The query parameter or body field at fault, if any.</param>
/// <param name="Code">Machine-readable reason, e.g. <c>invalid_value</c>.</param>
public sealed record ApiErrorDetail(string Message, string Type, string? Param, string? Code);
