//! The wait-and-retry schedule for overload errors (503, 502, NSEZ-503): reload after a
//! growing delay, and give up after the last one.

/// Seconds to wait before each automatic reload.
pub const DELAYS_S: [u32; 6] = [10, 20, 40, 60, 90, 120];

/// Delay before automatic reload number `attempt` (1-based), in ms; `None` once the
/// schedule is used up.
pub fn delay_ms(attempt: u32) -> Option<f64> {
    let i = usize::try_from(attempt).ok()?.checked_sub(1)?;
    DELAYS_S.get(i).map(|s| f64::from(*s) * 1000.0)
}

pub fn max_attempts() -> u32 {
    DELAYS_S.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_grows_then_stops() {
        assert_eq!(delay_ms(0), None);
        assert_eq!(delay_ms(1), Some(10_000.0));
        let all: Vec<f64> = (1..=max_attempts()).filter_map(delay_ms).collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(delay_ms(max_attempts() + 1), None);
    }
}
