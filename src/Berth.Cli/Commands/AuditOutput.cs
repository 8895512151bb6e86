using System.CommandLine;
using Berth.Api;

namespace Berth.Cli.Commands;

/// <summary>The audit-log table shared by <c>berth registry audit</c> and <c>berth project audit</c>.</summary>
public static class AuditOutput
{
    public const int MaxLimit = 1000;

    public static Option<int?> LimitOption()
    {
        var limit = new Option<int?>("--limit", "-n")
        {
            Description = $"Show at most this many events, newest first (server default 100, at most {MaxLimit})",
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValue(limit) is { } n && n is < 1 or > MaxLimit)
            {
                result.AddError($"--limit must be between 1 and {MaxLimit}.");
            }
        });
        return limit;
    }

    public static void Write(Output output, IReadOnlyList<AuditEventResponse> events, string emptyMessage)
    {
        if (events.Count == 0)
        {
            output.Out.WriteLine(emptyMessage);
            return;
        }

        var table = new TableWriter("AT", "ACTOR", "ACTION", "REGISTRY", "FROM", "DETAIL");
        foreach (var e in events)
        {
            table.AddRow(Format.Timestamp(e.At), e.Actor, e.Action, e.Registry ?? "-", e.RemoteAddress ?? "-", e.Detail ?? "");
        }

        output.WriteTable(table);
    }
}
