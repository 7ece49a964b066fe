namespace Dnet.Perf;

/// <summary>Self time a node spent in one counter group during a request.</summary>
/// <param name="Group">Group name (see <see cref="FrameGroups"/>).</param>
/// <param name="SelfMs">Sum of self times of the node's frames in the group, in ms (never double counted).</param>
/// <param name="PercentOfEndToEnd">As % of the request's end-to-end time; null while the request is incomplete.</param>
public sealed record GroupTime(string Group, double SelfMs, double? PercentOfEndToEnd);
