using Berth.Registry.Auditing;
using System.Globalization;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Registry.Retention;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// Recently deleted tags and manifests of a registry (its recovery bin), newest first, each with a Restore button for
/// developers. A restore POSTs and redirects (303) back here with what happened.
/// </summary>
public sealed class DeletedModel(ProjectAccess access, IArtifactStore artifacts, RegistryAddressing addressing, ArtifactBin bin) : PageModel
{
    private static readonly string[] SortKeys = [ListSort.DeletedKey];

    public RegistrySummary Summary { get; private set; } = null!;

    public ProjectRole Role { get; private set; }

    public IReadOnlyList<BinEntry> Entries { get; private set; } = [];

    public KeysetLinks Links { get; private set; } = null!;

    public BinCounts Counts { get; private set; } = BinCounts.Empty;

    public TimeSpan RecoveryWindow => bin.RecoveryWindow;

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Error { get; set; }

    public async Task OnGetAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, role) = await access.RequireRegistryAsync(User, name, ProjectRole.Viewer, ct);
        Role = role;
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Counts = await bin.CountAsync(registry, ct);
        var page = await KeysetPaging.LoadAsync(Request, ListSort.Descend(ListSort.DeletedKey), SortKeys, "deleted",
            request => bin.ListAsync(registry, null, request, ct));
        Entries = page.Items;
        Links = page.Links;
    }

    public async Task<IActionResult> OnPostRestoreAsync(string name, string repository, string? tag, string? digest)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Developer, ct);
        try
        {
            var restored = await bin.RestoreAsync(registry, repository, tag ?? digest ?? "", AuditActor.From(HttpContext), ct);
            Notice = restored.Tag is { } restoredTag
                ? $"Tag {restored.Repository}:{restoredTag} is back, pointing at {restored.Digest}."
                : $"Manifest {restored.Repository}@{restored.Digest} is back (untagged).";
        }
        catch (ManagementException ex) when (ex.Status is StatusCodes.Status404NotFound or StatusCodes.Status409Conflict)
        {
            Error = ex.Message;
        }

        return new SeeOtherResult(Paths.Deleted(registry.Name));
    }

    /// <summary>A recovery window in words: "7 days", "1 hour", "90 seconds".</summary>
    public static string Window(TimeSpan window) =>
        window.TotalDays >= 1 && window.TotalDays == Math.Floor(window.TotalDays) ? Plural((long)window.TotalDays, "day")
        : window.TotalHours >= 1 && window.TotalHours == Math.Floor(window.TotalHours) ? Plural((long)window.TotalHours, "hour")
        : window.TotalMinutes >= 1 && window.TotalMinutes == Math.Floor(window.TotalMinutes) ? Plural((long)window.TotalMinutes, "minute")
        : Plural((long)Math.Ceiling(window.TotalSeconds), "second");

    private static string Plural(long count, string unit) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + unit + (count == 1 ? "" : "s");
}
