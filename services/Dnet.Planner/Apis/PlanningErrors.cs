using Dnet.Models;
using Dnet.Planner.Infrastructure;
using Dnet.Planner.Model;
using Dnet.Planner.Topology;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Planner.Apis;

/// <summary>A request the planner refuses, with the field at fault.</summary>
public sealed class PlanRequestException(string message, string? param = null, string code = "invalid_request") : Exception(message)
{
    public string? Param { get; } = param;

    public string Code { get; } = code;
}

/// <summary>The planner's refusals and failures as the shared OpenAI error object.</summary>
public static class PlanningErrors
{
    public static IResult BadRequest(string message, string? param, string code) =>
        OpenAiError.InvalidRequest(message, param, code).ToResult(StatusCodes.Status400BadRequest);

    /// <summary>The HTTP answer for an exception of planning, or null when it is not one of the planner's own.</summary>
    public static IResult? From(Exception exception) => exception switch
    {
        PlanRequestException e => BadRequest(e.Message, e.Param, e.Code),
        CheckpointException e => BadRequest(e.Message, e.Field is null ? "config" : $"config.{e.Field}", "invalid_model_config"),
        ModelNotFoundException e => OpenAiError.InvalidRequest(e.Message, "model", "model_not_found").ToResult(StatusCodes.Status404NotFound),
        InvalidAssignmentException e => BadRequest(e.Message, "manual", "invalid_manual_assignment"),
        ModelDoesNotFitException e => OpenAiError.InvalidRequest(e.Message, null, "model_does_not_fit").ToResult(StatusCodes.Status422UnprocessableEntity),
        PlanningException e => OpenAiError.InvalidRequest(e.Message, null, "planning_failed").ToResult(StatusCodes.Status422UnprocessableEntity),
        ModelCopiesDifferException e => OpenAiError.InvalidRequest(e.Message, "model", "model_copies_differ").ToResult(StatusCodes.Status409Conflict),
        NoShardsException e => OpenAiError.Server(e.Message, "no_shards").ToResult(StatusCodes.Status503ServiceUnavailable),
        ShardCallException e => OpenAiError.Server(e.Message, "shard_call_failed").ToResult(StatusCodes.Status502BadGateway),
        _ => null,
    };
}
