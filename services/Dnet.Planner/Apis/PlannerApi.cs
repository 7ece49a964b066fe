using System.Text.Json;
using Dnet.Models;
using Dnet.Planner.Infrastructure;
using Dnet.ServiceDefaults.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Dnet.Planner.Apis;

/// <summary>The planner's HTTP surface: device profiles, planning, and the current topology.</summary>
public static class PlannerApi
{
    public static IEndpointRouteBuilder MapPlannerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/planner");
        api.MapGet("/devices", GetDevices);
        api.MapPost("/plan", Plan);
        api.MapGet("/topology", GetTopology);
        return app;
    }

    /// <summary>Every member shard's device profile (GetProfile over gRPC), and the members that did not answer.</summary>
    public static async Task<IResult> GetDevices(
        TopologyPlanner planner, [FromQuery(Name = "compute_dtype")] string? computeDtype, CancellationToken cancellationToken)
    {
        var dtype = computeDtype is null ? ComputeDtype.BFloat16 : ComputeDtypes.FromName(computeDtype);
        if (dtype is null)
        {
            return PlanningErrors.BadRequest($"compute_dtype must be bf16 or f32, got '{computeDtype}'", "compute_dtype", "invalid_request");
        }
        DevicesDocument devices;
        try
        {
            devices = await planner.DevicesAsync(dtype.Value.Name(), cancellationToken);
        }
        catch (NoShardsException exception)
        {
            return PlanningErrors.From(exception)!;
        }
        return devices.Devices.Count == 0 && devices.Unreachable.Count == 0
            ? OpenAiError.Server("no shard is a member of the cluster (none registered in Redis)", "no_shards").ToResult(StatusCodes.Status503ServiceUnavailable)
            : Results.Ok(devices);
    }

    /// <summary>
    /// Plans (or checks a manual assignment) and remembers the result as the current topology. The body is read here
    /// rather than bound, so that malformed JSON gets the same error shape as every other refusal.
    /// </summary>
    public static async Task<IResult> Plan(TopologyPlanner planner, HttpRequest http, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken cancellationToken)
    {
        PlanRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<PlanRequest>(http.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException e)
        {
            return PlanningErrors.BadRequest($"the body is not a valid plan request: {e.Message}", e.Path, "invalid_json");
        }
        if (request is null)
        {
            return PlanningErrors.BadRequest("a JSON body is required", null, "invalid_request");
        }
        try
        {
            return Results.Ok(await planner.PlanAsync(request, cancellationToken));
        }
        catch (Exception exception) when (PlanningErrors.From(exception) is { } error)
        {
            return error;
        }
    }

    public static IResult GetTopology(TopologyStore store) =>
        store.Current is { } topology
            ? Results.Ok(topology)
            : OpenAiError.InvalidRequest("no topology has been planned yet: POST /planner/plan first", null, "no_topology").ToResult(StatusCodes.Status404NotFound);
}
