using Berth.Core.Metadata;

namespace Berth.Dashboard.Pages.Projects;

public sealed record ProjectRow(string Name, ProjectRole Role, int RegistryCount, DateTimeOffset CreatedAt);
