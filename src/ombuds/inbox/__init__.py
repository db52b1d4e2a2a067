"""The inbox's working tools above single cases: bulk changes and saved views."""
