//! Deterministic randomness: every part of the world draws from its own stream, derived from
//! the scenario seed and a purpose label, so that results do not depend on thread scheduling
//! or on the order in which parts are generated.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used everywhere.
pub(crate) type Rng = Xoshiro256PlusPlus;

/// SplitMix64 finaliser: a good 64-bit mixer.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stream for `(seed, purpose, a, b)`.
pub(crate) fn stream(seed: u64, purpose: &str, a: u64, b: u64) -> Rng {
    let mut h = mix(seed);
    for byte in purpose.bytes() {
        h = mix(h ^ u64::from(byte));
    }
    h = mix(h ^ a);
    h = mix(h ^ b.rotate_left(17));
    Rng::seed_from_u64(h)
}

/// A bijection on `0..modulus`, keyed: spreads consecutive indices over the whole space so that
/// allocated numbers look random yet never collide. `modulus` must be a power of ten times a
/// small factor; `a` is chosen odd and not a multiple of 5, hence coprime to it.
pub(crate) fn permute(index: u64, modulus: u64, key: u64) -> u64 {
    let mut a = (mix(key) % modulus) | 1;
    while a.is_multiple_of(5) || gcd(a, modulus) != 1 {
        a += 2;
    }
    let b = mix(key ^ 0x5555) % modulus;
    ((u128::from(a) * u128::from(index % modulus) + u128::from(b)) % u128::from(modulus)) as u64
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_bijection() {
        let m = 10_000;
        let mut seen = vec![false; m as usize];
        for i in 0..m {
            let p = permute(i, m, 42) as usize;
            assert!(!seen[p]);
            seen[p] = true;
        }
        let m = 200_000_000;
        assert_ne!(permute(1, m, 7), permute(2, m, 7));
    }

    #[test]
    fn streams_differ_and_repeat() {
        use rand::Rng as _;
        let mut a = stream(1, "x", 0, 0);
        let mut b = stream(1, "x", 0, 0);
        let mut c = stream(1, "x", 1, 0);
        let (va, vb, vc) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(va, vb);
        assert_ne!(va, vc);
    }
}
