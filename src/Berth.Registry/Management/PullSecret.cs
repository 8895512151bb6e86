using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// An imagePullSecret ready to apply, and what it embeds when that is new: the password when it was made by resetting
/// the password, or the pull-only access token minted for it.
/// </summary>
public sealed record PullSecret(string Yaml, string Snippet, string? NewPassword, RegistryTokenRecord? Token);
