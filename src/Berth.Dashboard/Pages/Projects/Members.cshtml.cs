using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Registry;
using Berth.Registry.Auth;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Projects;

/// <summary>
/// A project's members: every member sees them, owners add, change and remove them. The rules are
/// <see cref="ProjectMembers"/>'s, as on the API; the page only shapes the answers.
/// </summary>
public sealed class MembersModel(ProjectAccess access, ProjectMembers members) : PageModel
{
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Role { get; set; }

    public ProjectRecord Project { get; private set; } = null!;

    public ProjectRole CallerRole { get; private set; }

    public IReadOnlyList<ProjectMembership> Members { get; private set; } = [];

    [TempData]
    public string? Notice { get; set; }

    [TempData]
    public string? Error { get; set; }

    [TempData]
    public string? TypedUsername { get; set; }

    public static IReadOnlyList<ProjectRole> Roles { get; } = Enum.GetValues<ProjectRole>();

    public async Task OnGetAsync(string project)
    {
        (Project, CallerRole, Members) = await members.ListAsync(User, project, HttpContext.RequestAborted);
        Username = TypedUsername;
    }

    /// <summary>Adds a member, or changes a member's role (the row forms post the same handler).</summary>
    public async Task<IActionResult> OnPostSetAsync(string project)
    {
        // The project and the caller's role first: those refusals get the designed 404/403 page, not a form message.
        var (record, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, HttpContext.RequestAborted);
        try
        {
            var membership = await members.SetAsync(User, AuditActor.From(HttpContext), record.Name, Username, Role, HttpContext.RequestAborted);
            Notice = $"{membership.Username} is now {Display.Role(membership.Role).ToLowerInvariant()} of {record.Name}.";
        }
        catch (ManagementException ex) when (ex.Status is 400 or 404)
        {
            Error = ex.Message;
            TypedUsername = Username;
        }

        return new SeeOtherResult(ListPath(record));
    }

    public async Task<IActionResult> OnPostRemoveAsync(string project)
    {
        var (record, _) = await access.RequireProjectAsync(User, project, ProjectRole.Owner, HttpContext.RequestAborted);
        try
        {
            await members.RemoveAsync(User, AuditActor.From(HttpContext), record.Name, Username, HttpContext.RequestAborted);
        }
        catch (ManagementException ex) when (ex.Status == 404)
        {
            Error = ex.Message;
            return new SeeOtherResult(ListPath(record));
        }

        // An owner who removed themselves can no longer see the project: home, where it is gone from their list.
        if (!User.IsAdmin() && string.Equals(Username?.Trim(), User.Username(), StringComparison.OrdinalIgnoreCase))
        {
            return new SeeOtherResult(DashboardExtensions.HomePath);
        }

        Notice = $"{Username!.Trim()} was removed from {record.Name}.";
        return new SeeOtherResult(ListPath(record));
    }

    private static string ListPath(ProjectRecord project) => $"/projects/{project.Name}/members";
}
