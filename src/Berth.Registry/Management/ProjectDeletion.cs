using Berth.Registry.Auditing;
using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// Deleting a project. One that still has registries is refused (409) unless the caller confirmed with the project's
/// exact name: then each registry goes through <see cref="RegistryDeletion"/> (audited, purged in the background)
/// before the project itself. Written to the audit log as <c>project.deleted</c>.
/// </summary>
public sealed class ProjectDeletion(ITenantStore tenants, RegistryDeletion registries, ProjectAudit audit, TimeProvider time)
{
    public async Task DeleteAsync(ProjectRecord project, string? confirm, AuditActor actor, CancellationToken cancellationToken)
    {
        var confirmed = string.Equals(confirm, project.Name, StringComparison.Ordinal);
        var live = await tenants.ListRegistriesAsync(project.Id, cancellationToken);
        if (live.Count > 0 && !confirmed)
        {
            throw HasRegistries(project, live);
        }

        foreach (var registry in live)
        {
            await registries.DeleteAsync(registry, actor, cancellationToken);
        }

        switch (await tenants.DeleteProjectAsync(project.Id, time.GetUtcNow(), cancellationToken))
        {
            case ProjectDeleteResult.ProjectGone:
                throw new ManagementException(StatusCodes.Status404NotFound, "Project not found", $"There is no project named '{project.Name}'.");
            case ProjectDeleteResult.HasRegistries:
                // A registry created while this ran: the confirmation named what was there before, not it.
                throw HasRegistries(project, await tenants.ListRegistriesAsync(project.Id, cancellationToken));
        }

        // Each registry's deletion has its own event; this one only counts them.
        var detail = live.Count == 0 ? null : $"with {live.Count} registries";
        await audit.AppendAsync(project, actor, "project.deleted", detail, CancellationToken.None);
    }

    private static ManagementException HasRegistries(ProjectRecord project, IReadOnlyList<RegistryRecord> registries) =>
        new(StatusCodes.Status409Conflict, "Project has registries",
            $"Project '{project.Name}' still has {registries.Count} registries ({string.Join(", ", registries.Take(10).Select(r => r.Name))}"
            + $"{(registries.Count > 10 ? ", …" : "")}). Delete them first, or confirm deleting the project with all of them, irreversibly: "
            + $"{{\"confirm\":\"{project.Name}\"}}.");
}
