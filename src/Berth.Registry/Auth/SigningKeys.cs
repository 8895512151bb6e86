
namespace Berth.Registry.Auth;

/// <summary>
/// The keys tokens are signed and checked with: the current key signs, every listed key verifies, so keys
/// can be rotated by adding the new one before retiring the old. Loaded once at start.
/// </summary>
public sealed class SigningKeys
{
    private volatile IReadOnlyList<SigningKey> _keys = [];

    public SigningKey Current => _keys.Count > 0 ? _keys[0] : throw new InvalidOperationException("signing keys are not loaded yet");

    public void Load(IReadOnlyList<SigningKey> keys)
    {
        ArgumentOutOfRangeException.ThrowIfZero(keys.Count);
        _keys = keys;
    }

    public SigningKey? Find(string? id)
    {
        foreach (var key in _keys)
        {
            if (key.Id == id)
            {
                return key;
            }
        }

        return null;
    }
}
