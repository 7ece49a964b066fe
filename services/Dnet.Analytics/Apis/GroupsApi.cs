using System.Text.Json;
using System.Text.RegularExpressions;
using Dnet.Analytics.Model;
using Dnet.Perf;

namespace Dnet.Analytics.Apis;

/// <summary>Counter groups of request stats: <c>GET /analytics/groups</c> and <c>POST /analytics/groups</c>.</summary>
public static partial class GroupsApi
{
    private const int MaxPrefixes = 64;
    private const int MaxPrefixLength = 256;
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapGroupsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/analytics/groups", List).WithName("Groups").WithSummary("Counter groups and their frame-name prefixes.");
        app.MapPost("/analytics/groups", AddAsync).WithName("AddGroup")
            .WithSummary("Adds a custom counter group {\"name\", \"prefixes\"}; a prefix already in a group moves to the new one.");
        return app;
    }

    internal static IResult List(GroupCatalog catalog) => Results.Json(new { groups = catalog.List() });

    internal static async Task<IResult> AddAsync(HttpRequest request, GroupCatalog catalog)
    {
        AddGroupRequest? body;
        try
        {
            // Read by hand: the framework's binder answers malformed JSON with an empty 400, not our error object.
            body = await JsonSerializer.DeserializeAsync<AddGroupRequest>(request.Body, BodyOptions, request.HttpContext.RequestAborted);
        }
        catch (JsonException exception)
        {
            return Errors.BadRequest($"The body is not valid JSON: {exception.Message}", null, "invalid_json");
        }

        if (body?.Name is not { } name || !GroupName().IsMatch(name))
        {
            return Errors.BadRequest("'name' must be 1-64 letters, digits, '_' or '-'.", "name", QueryReader.InvalidValue);
        }

        if (name is FrameGroups.Wait or FrameGroups.Other)
        {
            return Errors.BadRequest($"'{name}' is defined by rule and takes no prefixes.", "name", "reserved_group");
        }

        if (body.Prefixes is not { Count: > 0 and <= MaxPrefixes } prefixes)
        {
            return Errors.BadRequest($"'prefixes' must list 1 to {MaxPrefixes} frame-name prefixes.", "prefixes", QueryReader.InvalidValue);
        }

        foreach (var prefix in prefixes)
        {
            if (prefix is null || prefix.Length > MaxPrefixLength || !Prefix().IsMatch(prefix))
            {
                return Errors.BadRequest(
                    $"Prefix '{prefix}' is not a dotted frame-name prefix (letters, digits, '_', '-' separated by single dots, e.g. compute.execute).",
                    "prefixes", QueryReader.InvalidValue);
            }
        }

        catalog.Add(name, [.. prefixes.Select(prefix => prefix!)]);
        return Results.Json(new { groups = catalog.List() }, statusCode: StatusCodes.Status201Created);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex GroupName();

    // Segments of a frame name; a trailing dot is allowed (and ignored) as people write "compute." for a scope.
    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$")]
    private static partial Regex Prefix();
}
