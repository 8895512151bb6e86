namespace Berth.Core.Metadata;

public sealed record ProjectMembership(string ProjectId, string ProjectName, string UserId, string Username, ProjectRole Role);
