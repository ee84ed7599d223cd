"""is_unresolved recognises every kind of token aws-cdk-lib encodes, without calling into it."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Token
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.tokens import is_unresolved


@pytest.mark.parametrize(
    "value",
    [
        cdk.Aws.ACCOUNT_ID,
        f"arn:aws:s3:::{cdk.Aws.ACCOUNT_ID}-data/*",
        Token.as_number(cdk.Aws.ACCOUNT_ID),
        Token.as_list(cdk.Aws.ACCOUNT_ID),
        cdk.Fn.ref("Thing"),
        cdk.Fn.get_att("Thing", "Arn").to_string(),
        {"key": cdk.Aws.REGION},
        [1, "x", cdk.Aws.PARTITION],
    ],
    ids=["string", "in-string", "number", "list", "ref", "get-att", "in-dict", "in-list"],
)
def test_tokens_are_unresolved(value: object) -> None:
    assert is_unresolved(value)
    assert Token.is_unresolved(value) or isinstance(value, dict | list)


@given(
    st.one_of(
        st.text(),
        st.integers(),
        st.floats(allow_nan=False, min_value=-1e200, max_value=1e200),
        st.booleans(),
        st.none(),
        st.lists(st.text(max_size=5), max_size=3),
    )
)
def test_plain_values_are_resolved_and_agree_with_aws_cdk(value: object) -> None:
    assert not is_unresolved(value)
    if not isinstance(value, list | type(None)):
        assert not Token.is_unresolved(value)
