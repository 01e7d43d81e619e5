//! Tests of synapse groups.

use super::delivery::delay_to_steps;
use super::*;

#[test]
fn delay_steps_round_up() {
    assert_eq!(delay_to_steps("s", 0.0, 0.1), Ok(0));
    assert_eq!(delay_to_steps("s", 0.3, 0.1), Ok(3));
    assert_eq!(delay_to_steps("s", 0.25, 0.1), Ok(3));
    assert_eq!(delay_to_steps("s", 1.0, 0.1), Ok(10));
    assert_eq!(delay_to_steps("s", 0.01, 0.1), Ok(1));
    assert_eq!(
        delay_to_steps("s", -0.5, 0.1),
        Err(Error::NegativeDelay {
            object: "s".into(),
            delay: -0.5
        })
    );
    assert!(matches!(
        delay_to_steps("s", f64::NAN, 0.1),
        Err(Error::NegativeDelay { .. })
    ));
    assert!(matches!(
        delay_to_steps("s", 1e9, 0.1),
        Err(Error::InvalidInput { .. })
    ));
}
