using Dnet.Models;
using Dnet.Planner.Infrastructure;
using Dnet.Planner.Model;
using Dnet.Planner.Topology;

namespace Dnet.Planner.Apis;

/// <summary>A request the planner refuses, with the field at fault.</summary>
public sealed class PlanRequestException(string message, string? param = null, string code = "invalid_request") : Exception(message)
{
    public string? Param { get; } = param;

    public string Code { get; } = code;
}

/// <summary>Errors as <c>{"error":{"message","type","param","code"}}</c> (the OpenAI shape the gateway uses too).</summary>
public static class ApiError
{
    public static IResult Result(int status, string message, string type, string? param, string code) =>
        Results.Json(new { error = new { message, type, param, code } }, statusCode: status);

    /// <summary>The HTTP answer for an exception of planning, or null when it is not one of the planner's own.</summary>
    public static IResult? From(Exception exception) => exception switch
    {
        PlanRequestException e => Result(StatusCodes.Status400BadRequest, e.Message, "invalid_request_error", e.Param, e.Code),
        CheckpointException e => Result(StatusCodes.Status400BadRequest, e.Message, "invalid_request_error", e.Field is null ? "config" : $"config.{e.Field}", "invalid_model_config"),
        ModelNotFoundException e => Result(StatusCodes.Status404NotFound, e.Message, "not_found_error", "model", "model_not_found"),
        InvalidAssignmentException e => Result(StatusCodes.Status400BadRequest, e.Message, "invalid_request_error", "manual", "invalid_manual_assignment"),
        ModelDoesNotFitException e => Result(StatusCodes.Status422UnprocessableEntity, e.Message, "planning_error", null, "model_does_not_fit"),
        PlanningException e => Result(StatusCodes.Status422UnprocessableEntity, e.Message, "planning_error", null, "planning_failed"),
        ModelCopiesDifferException e => Result(StatusCodes.Status409Conflict, e.Message, "invalid_request_error", "model", "model_copies_differ"),
        NoShardsException e => Result(StatusCodes.Status503ServiceUnavailable, e.Message, "service_unavailable_error", null, "no_shards"),
        ShardCallException e => Result(StatusCodes.Status502BadGateway, e.Message, "upstream_error", null, "shard_call_failed"),
        _ => null,
    };
}
