using System.Security.Claims;
using Berth.Core.Metadata;
using Berth.Registry.Auth;

namespace Berth.Registry.Management;

/// <summary>
/// Who may see and do what: administrators everything; everyone else by their role in each project. A project (and
/// its registries) the caller is not a member of does not exist for them: 404, never 403, so names don't leak.
/// </summary>
public sealed class ProjectAccess(ITenantStore tenants, IUserStore users)
{
    public async Task<ProjectRole?> RoleAsync(ClaimsPrincipal user, string projectId, CancellationToken cancellationToken)
    {
        if (user.IsAdmin())
        {
            return ProjectRole.Owner;
        }

        var memberships = await users.ListMembershipsOfUserAsync(user.UserId(), cancellationToken);
        return memberships.FirstOrDefault(m => m.ProjectId == projectId)?.Role;
    }

    /// <summary>Projects the caller can see, with their role in each.</summary>
    public async Task<IReadOnlyList<(ProjectRecord Project, ProjectRole Role)>> VisibleProjectsAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var projects = await tenants.ListProjectsAsync(cancellationToken);
        if (user.IsAdmin())
        {
            return projects.Select(p => (p, ProjectRole.Owner)).ToList();
        }

        var roles = (await users.ListMembershipsOfUserAsync(user.UserId(), cancellationToken)).ToDictionary(m => m.ProjectId, m => m.Role);
        return projects.Where(p => roles.ContainsKey(p.Id)).Select(p => (p, roles[p.Id])).ToList();
    }

    public async Task<(ProjectRecord Project, ProjectRole Role)> RequireProjectAsync(ClaimsPrincipal user, string projectName, ProjectRole minimum, CancellationToken cancellationToken)
    {
        var project = await tenants.GetProjectAsync(projectName, cancellationToken);
        var role = project is null ? null : await RoleAsync(user, project.Id, cancellationToken);
        if (project is null || role is null)
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Project not found", $"There is no project named '{projectName}'.");
        }

        return role >= minimum ? (project, role.Value) : throw Forbidden(minimum);
    }

    /// <summary>
    /// The project whose audit log the caller may read: a live one they can view, or, for administrators, the project
    /// most recently deleted under that name (its log outlives it).
    /// </summary>
    public async Task<ProjectRecord> RequireProjectAuditAsync(ClaimsPrincipal user, string projectName, CancellationToken cancellationToken)
    {
        var live = await tenants.GetProjectAsync(projectName, cancellationToken);
        if (live is null && user.IsAdmin() && await tenants.GetDeletedProjectAsync(projectName, cancellationToken) is { } deleted)
        {
            return deleted;
        }

        return (await RequireProjectAsync(user, projectName, ProjectRole.Viewer, cancellationToken)).Project;
    }

    public async Task<(RegistryRecord Registry, ProjectRole Role)> RequireRegistryAsync(ClaimsPrincipal user, string registryName, ProjectRole minimum, CancellationToken cancellationToken)
    {
        var registry = await tenants.GetRegistryAsync(registryName, cancellationToken);
        var role = registry is null ? null : await RoleAsync(user, registry.ProjectId, cancellationToken);
        if (registry is null || role is null)
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Registry not found", $"There is no registry named '{registryName}'.");
        }

        return role >= minimum ? (registry, role.Value) : throw Forbidden(minimum);
    }

    private static ManagementException Forbidden(ProjectRole minimum) =>
        new(StatusCodes.Status403Forbidden, "Forbidden", $"This needs the {minimum.ToString().ToLowerInvariant()} role in the project.");
}
