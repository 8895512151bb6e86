namespace Berth.Registry.Management;

/// <summary>How an endpoint on a repository catch-all is documented: the catch-all replaced by e.g. <c>{repository}/tags</c>.</summary>
public sealed record DocumentedRepositoryPath(string Template);
