//! The demo's ANIP service without a socket (`oneshot`): hostile token requests get an answer,
//! never a panic.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use scenario_lab::anip_demo::{AnipDemo, app};
use tower::ServiceExt;

async fn token(body: &str, key: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::post("/anip/tokens")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .body(Body::from(body.to_owned()))
        .expect("request");
    let response = app(AnipDemo::new())
        .oneshot(request)
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn out_of_range_token_lives_are_answered() {
    for ttl in ["9223372036854775807", "-9223372036854775808", "0"] {
        let (status, answer) = token(
            &format!(r#"{{"scope": ["fixtures.read"], "ttl_hours": {ttl}}}"#),
            "dev-requester-key",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{ttl}: {answer}");
        assert_eq!(answer["issued"], true, "{ttl}: {answer}");
    }
    let (status, answer) = token(r#"{"scope": []}"#, "not-a-key").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer["failure"]["type"], "authentication_required");
}
