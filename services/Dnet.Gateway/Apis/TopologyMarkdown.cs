using System.Globalization;
using System.Text;
using Dnet.Perf;

namespace Dnet.Gateway.Apis;

/// <summary>
/// The topology as Markdown for the dashboard's "Ring topology" command: state and reason, the ring, the members
/// and the recent changes with why. Every value that came from a member or a request is escaped.
/// </summary>
internal static class TopologyMarkdown
{
    public static string Render(TopologyView view)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"**{MarkdownText.Escape(view.ServedModelName)}** ({MarkdownText.Escape(view.Model)}), ")
            .Append(CultureInfo.InvariantCulture, $"{view.State}: {MarkdownText.Escape(view.Reason)}").AppendLine().AppendLine();

        text.AppendLine("| shard | layers | address | healthy | active sequences | error |").AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var shard in view.Shards)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {MarkdownText.Escape(shard.Node)} | [{shard.LayerStart}, {shard.LayerEnd}) | {MarkdownText.Escape(shard.Address)} | {(shard.Healthy ? "yes" : "**no**")} | {shard.ActiveSequences} | {MarkdownText.Escape(shard.Error, "")} |");
        }

        text.AppendLine().AppendLine("| member | host | source | in ring | started |").AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var member in view.Members)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {MarkdownText.Escape(member.Node)} | {MarkdownText.Escape(member.Host)} | {MarkdownText.Escape(member.Source)} | {(member.InRing ? "yes" : "no")} | {member.StartedAt:u} |");
        }

        if (view.MembershipError is not null)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Membership unreadable: {MarkdownText.Escape(view.MembershipError)}");
        }

        text.AppendLine().AppendLine("| changed at | why | result | took |").AppendLine("| --- | --- | --- | --- |");
        foreach (var change in view.Changes)
        {
            var result = change.Succeeded ? MarkdownText.Escape(change.Ring) : $"failed: {MarkdownText.Escape(change.Error)}";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {change.At:u} | {MarkdownText.Escape(change.Reason)} | {result} | {change.ElapsedMs:F0} ms |");
        }

        return text.ToString();
    }
}
